import type { TcpEvent } from '../interfaces/tcp-event';
import { ipv4Of } from './cidr';
import { FIELD_GETTERS } from './field-getters';

/**
 * For each address field a CIDR test names, the `ipv4Of` of every event of a batch, by the
 * events' index: parsed once per batch and shared by every rule testing the field, where each
 * rule used to look the address up again (a Map lookup per rule and event).
 */
export type AddressColumns = Partial<Record<keyof TcpEvent, Float64Array>>;

/** Parses `fields` of `events` into `columns`, growing its arrays as needed (entries past the events are left as they were). */
export function fillAddressColumns(events: readonly TcpEvent[], fields: ReadonlyArray<keyof TcpEvent>, columns: AddressColumns): AddressColumns {
  for (const field of fields) {
    let column = columns[field];
    if (column === undefined || column.length < events.length) columns[field] = column = new Float64Array(Math.max(events.length, 2 * (column?.length ?? 0)));
    const get = FIELD_GETTERS[field];
    for (let i = 0; i < events.length; i++) column[i] = ipv4Of(get(events[i]));
  }
  return columns;
}
