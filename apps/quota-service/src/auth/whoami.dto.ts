/** What `GET /whoami` answers (the file's name lets the OpenAPI plugin read its fields). */
export class WhoAmIResponse {
  /** worker, billing, finance or ops. */
  role!: string;
  /** The key's name in API_KEYS (never the key). */
  keyId!: string;
}
