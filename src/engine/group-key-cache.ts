import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';
import { FIELD_GETTERS, type FieldGetter } from '../rules/field-getters';
import { groupKey } from './group-key';

/** Interned keys kept per field list before the table is dropped and rebuilt: it is only a cache. */
const INTERN_LIMIT = 65_536;

/** Tables made so far, in every engine: each gets its own `epoch`, so ids of a dropped table are never taken for a new one's. */
let tables = 0;

interface Slot {
  getters: FieldGetter[];
  /** Nested maps, one level per field, whose leaves are the ids of the interned keys. */
  interned: Map<unknown, unknown>;
  /** The interned key strings, by id. */
  keys: string[];
  /** Names the table: ids of one epoch mean the same keys until the table is dropped. */
  epoch: number;
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
 * return the same interned string each time, whose hash V8 keeps. Each interned key also has a
 * small id (`lastId`, `epoch`): a rule finds its group by the id in an array, without a lookup
 * of the string in its map of groups.
 */
export class GroupKeyCache {
  private readonly index = new Map<string, number>();
  private readonly slots: Slot[] = [];
  /** The id of the key `key` returned last, in its slot's table (-1: a key not interned: one field, or the table bypassed). */
  lastId = -1;

  /** The epoch of a slot's table: its ids name other keys (or none) once this changes. */
  epoch(slotIndex: number): number {
    return this.slots[slotIndex].epoch;
  }

  /** The slot for a rule's group_by fields. */
  slotFor(fields: CompiledRule['groupBy']): number {
    const signature = fields.join(',');
    let slot = this.index.get(signature);
    if (slot === undefined) {
      slot = this.slots.length;
      this.index.set(signature, slot);
      this.slots.push({ getters: fields.map((f) => FIELD_GETTERS[f]), interned: new Map(), keys: [], epoch: ++tables, size: 0, lookups: 0, hits: 0, bypass: 0 });
    }
    return slot;
  }

  key(slotIndex: number, event: TcpEvent): string {
    const slot = this.slots[slotIndex];
    const getters = slot.getters;
    this.lastId = -1;
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
    const id = node.get(v) as number | undefined;
    if (id !== undefined) {
      slot.hits++;
      this.lastId = id;
      return slot.keys[id];
    }
    const key = groupKey(getters, event);
    if (slot.size >= INTERN_LIMIT) {
      // Full: rebuild it; if most lookups missed (new groups all the time, as under a flood of
      // spoofed sources), interning only costs, so do without it for a while.
      if (slot.hits < slot.lookups / 2) slot.bypass = 4 * INTERN_LIMIT;
      slot.interned = new Map();
      slot.keys = [];
      slot.epoch = ++tables;
      slot.size = slot.lookups = slot.hits = 0;
      return key;
    }
    node.set(v, slot.size);
    slot.keys.push(key);
    this.lastId = slot.size++;
    return key;
  }
}
