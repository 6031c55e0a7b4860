/** The ledger's key schema, shared by the CDK table and the drill's local table. */
export const LEDGER_PARTITION_KEY = 'pk';
export const LEDGER_SORT_KEY = 'sk';
/** Expiring rows (cooldowns) carry this epoch-seconds attribute; incidents never expire. */
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';
