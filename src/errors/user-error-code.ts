/**
 * Every code a UserError may carry, one per kind of user mistake: a typed union (as undici's
 * error codes), so a new code is added here, where the whole list can be read, and a typo in a
 * `throw` is a compile error instead of a code no caller or search will ever match. Upper snake
 * case, the area first.
 */
export type UserErrorCode =
  // alert sinks and delivery
  | 'ALERTS_CONFIG_INVALID'
  | 'ALERTS_DEAD_LETTER_LOCKED'
  | 'ALERTS_HEADER_INVALID'
  | 'ALERTS_REDIS_UNAVAILABLE'
  | 'ALERTS_SECRET_INVALID'
  | 'ALERTS_SECRET_MISSING'
  // the command line
  | 'CLI_RECORD_UNWRITABLE'
  | 'CLI_USAGE'
  | 'CLI_WEBHOOK_URL_INVALID'
  // the kernel collector
  | 'COLLECTOR_LAYOUT_MISMATCH'
  | 'COLLECTOR_NOT_LINUX'
  | 'COLLECTOR_NO_BTF'
  | 'COLLECTOR_NO_PRIVILEGE'
  | 'COLLECTOR_NO_TRACEFS'
  | 'COLLECTOR_OPTION_INVALID'
  | 'COLLECTOR_START_FAILED'
  | 'COLLECTOR_UNAVAILABLE'
  // configuration and the detector's roles
  | 'CONFIG_INVALID'
  | 'DETECTOR_NO_RULES'
  | 'DETECTOR_NO_SINKS'
  | 'DETECTOR_ROLE_NEEDS_REDIS'
  | 'DETECTOR_ROLE_SOURCE'
  | 'LOGGING_OPTION_INVALID'
  | 'METRICS_ADDRESS_INVALID'
  | 'METRICS_LISTEN_FAILED'
  // the Redis queue
  | 'PARTITION_COUNT_MISMATCH'
  | 'REDIS_UNREACHABLE'
  | 'REDIS_URL_INVALID'
  // replay input, rules and their tests
  | 'REPLAY_BAD_EVENT'
  | 'REPLAY_UNREADABLE'
  | 'RULES_INVALID'
  | 'RULE_TEST_INVALID';
