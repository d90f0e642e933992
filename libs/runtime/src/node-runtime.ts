/**
 * The Node.js major every process of the project runs on: the one package.json pins as its
 * `node` dev dependency and names in `engines` (a unit test holds the three to one value). npm
 * scripts put the pinned one first on PATH; the machine's own Node.js only runs npm.
 */
export const SUPPORTED_NODE_MAJOR = 24;

/** Why running on `version` is not supported, as one line; undefined when it is. */
export function unsupportedNode(version: string = process.version): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major === SUPPORTED_NODE_MAJOR) return undefined;
  return (
    `running on Node.js ${version}, but this project supports Node.js ${SUPPORTED_NODE_MAJOR} only: ` +
    `start it with npm start (or npm run credits), which run the Node.js it pins`
  );
}
