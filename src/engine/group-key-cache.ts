import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';
import { FIELD_GETTERS, type FieldGetter } from '../rules/field-getters';
import { groupKey } from './group-key';

/** Interned keys kept per field list before the table is dropped and rebuilt: it is only a cache. */
const INTERN_LIMIT = 65_536;

interface Slot {
  getters: FieldGetter[];
  /** Nested maps, one level per field, whose leaves are the interned key strings. */
  interned: Map<unknown, unknown>;
  size: number;
  /** Lookups and hits since the table was last rebuilt. */
  lookups: number;
  hits: number;
  /** Lookups left to answer without the table, after it proved useless (a flood of new groups). */
  bypass: number;
}

/**
 * Group keys for the rules of an engine, one slot per distinct group_by field list. A key of
 * several fields is a string built by concatenation; building it per event (and hashing the new
 * string in each rule's map) cost about 40% of the throughput in the benchmark. Instead, the
 * values are looked up in nested maps (no allocation, and the event's strings hash once) that
 * return the same interned string each time, whose hash V8 keeps.
 */
export class GroupKeyCache {
  private readonly index = new Map<string, number>();
  private readonly slots: Slot[] = [];

  /** The slot for a rule's group_by fields. */
  slotFor(fields: CompiledRule['groupBy']): number {
    const signature = fields.join(',');
    let slot = this.index.get(signature);
    if (slot === undefined) {
      slot = this.slots.length;
      this.index.set(signature, slot);
      this.slots.push({ getters: fields.map((f) => FIELD_GETTERS[f]), interned: new Map(), size: 0, lookups: 0, hits: 0, bypass: 0 });
    }
    return slot;
  }

  key(slotIndex: number, event: TcpEvent): string {
    const slot = this.slots[slotIndex];
    const getters = slot.getters;
    if (getters.length <= 1) return groupKey(getters, event);
    if (slot.bypass > 0) {
      slot.bypass--;
      return groupKey(getters, event);
    }
    slot.lookups++;
    let node = slot.interned;
    const last = getters.length - 1;
    for (let i = 0; i < last; i++) {
      const v = getters[i](event);
      let next = node.get(v) as Map<unknown, unknown> | undefined;
      if (!next) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    const v = getters[last](event);
    let key = node.get(v) as string | undefined;
    if (key !== undefined) {
      slot.hits++;
      return key;
    }
    key = groupKey(getters, event);
    if (slot.size >= INTERN_LIMIT) {
      // Full: rebuild it; if most lookups missed (new groups all the time, as under a flood of
      // spoofed sources), interning only costs, so do without it for a while.
      if (slot.hits < slot.lookups / 2) slot.bypass = 4 * INTERN_LIMIT;
      slot.interned = new Map();
      slot.size = slot.lookups = slot.hits = 0;
      return key;
    }
    node.set(v, key);
    slot.size++;
    return key;
  }
}
