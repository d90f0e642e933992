import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
} from 'kafkajs';
import { projectorGroupId, quotaServiceGroupPrefix } from './group-offsets';
import { topicNames } from './topics';

/** The SASL users of a secured cluster (kafka.sh KAFKA_SECURITY=scram makes them). */
export const KAFKA_PRINCIPALS = [
  'editor',
  'billing',
  'credit-projector',
  'quota-service',
  'ops',
] as const;
export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number];

export type AclOperation = 'Read' | 'Write' | 'Describe' | 'Create' | 'All';

/** One grant: a principal may do these operations on the resources a name (or prefix) matches. */
export interface AclGrant {
  readonly principal: KafkaPrincipal;
  readonly resource: 'topic' | 'group';
  readonly name: string;
  readonly pattern: 'literal' | 'prefixed';
  readonly operations: readonly AclOperation[];
  readonly why: string;
}

/**
 * Every ACL a deployment needs, and no more: producers write only their own input topic (so only
 * billing mints credits), the apps read and write what their loops use and may create the
 * contract's topics at start, and ops may do anything to this deployment's topics and groups.
 * Anything not granted is refused (the broker runs with allow.everyone.if.no.acl.found=false).
 */
export function deploymentAcls(prefix: string): AclGrant[] {
  const topics = topicNames(prefix);
  const contractTopics = Object.values(topics);
  const topic = (
    principal: KafkaPrincipal,
    name: string,
    operations: AclOperation[],
    why: string,
  ): AclGrant => ({ principal, resource: 'topic', name, pattern: 'literal', operations, why });
  const group = (
    principal: KafkaPrincipal,
    name: string,
    pattern: AclGrant['pattern'],
    why: string,
    operations: AclOperation[] = ['Read'],
  ): AclGrant => ({ principal, resource: 'group', name, pattern, operations, why });
  // The apps make any contract topic missing at start, so each may see and create all of them.
  const appTopics = (principal: KafkaPrincipal, uses: Record<string, 'Read' | 'Write'>) =>
    contractTopics.map((name) => {
      const use = uses[name];
      const why = use === 'Read' ? 'consumes it' : use === 'Write' ? 'writes it' : 'nothing more';
      return topic(
        principal,
        name,
        ['Describe', 'Create', ...(use ? [use] : [])],
        `${why}; creates it if missing`,
      );
    });
  // With no prefix, "everything of this deployment" can only be said as every name.
  const everything =
    prefix === ''
      ? { name: '*', pattern: 'literal' as const }
      : { name: prefix, pattern: 'prefixed' as const };
  return [
    topic('editor', topics.editorEvents, ['Write', 'Describe'], 'publishes usage events'),
    topic(
      'billing',
      topics.billingEvents,
      ['Write', 'Describe'],
      'publishes billing events: only it mints credits',
    ),
    topic(
      'billing',
      topics.creditNotifications,
      ['Read', 'Describe'],
      'reads automatic top-up requests and low-balance notices',
    ),
    group('billing', `${prefix}billing`, 'prefixed', 'its consumer groups for notifications'),
    ...appTopics('credit-projector', {
      [topics.editorEvents]: 'Read',
      [topics.billingEvents]: 'Read',
      [topics.creditDecisions]: 'Write',
      [topics.creditNotifications]: 'Write',
      [topics.editorEventsDeadLetters]: 'Write',
    }),
    group(
      'credit-projector',
      projectorGroupId(prefix),
      'literal',
      'its consumer group: joins, commits, reads its lag',
    ),
    ...appTopics('quota-service', {
      [topics.editorEvents]: 'Write',
      [topics.billingEvents]: 'Write',
      [topics.creditDecisions]: 'Read',
      [topics.editorEventsDeadLetters]: 'Read',
    }),
    group(
      'quota-service',
      quotaServiceGroupPrefix(prefix),
      'prefixed',
      'a group per process for the decisions it waits for, and one per read of dead letters',
    ),
    group(
      'quota-service',
      projectorGroupId(prefix),
      'literal',
      "reads the projector's offsets and members for GET /ops/status",
      ['Describe'],
    ),
    ...(['topic', 'group'] as const).map((resource): AclGrant => ({
      principal: 'ops',
      resource,
      ...everything,
      operations: ['All'],
      why: 'credits dlq, status, offset resets',
    })),
  ];
}

const OPERATIONS: Record<AclOperation, AclOperationTypes> = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  Describe: AclOperationTypes.DESCRIBE,
  Create: AclOperationTypes.CREATE,
  All: AclOperationTypes.ALL,
};

/** The grants as the broker's ACL entries (one per operation), for kafkajs admin.createAcls. */
export function aclEntriesOf(grants: readonly AclGrant[]): AclEntry[] {
  return grants.flatMap((grant) =>
    grant.operations.map((operation) => ({
      principal: `User:${grant.principal}`,
      host: '*',
      resourceType: grant.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
      resourceName: grant.name,
      resourcePatternType:
        grant.pattern === 'literal' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
      operation: OPERATIONS[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/** The grants as the Markdown table docs/least-privilege.md lists (its test keeps the two equal). */
export function aclMarkdownTable(grants: readonly AclGrant[]): string {
  const rows = grants.map(
    (grant) =>
      `| \`${grant.principal}\` | ${grant.resource} | \`${grant.name}\`${grant.pattern === 'prefixed' ? ' (prefix)' : ''} | ${grant.operations.join(', ')} | ${grant.why} |`,
  );
  return [
    '| principal | resource | name | operations | why |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
