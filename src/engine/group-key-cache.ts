import type { TcpEvent } from '../interfaces/tcp-event';
import type { CompiledRule } from '../rules/compiled-rule';
import { FIELD_GETTERS, type FieldGetter } from '../rules/field-getters';
import { groupKey } from './group-key';

/**
 * Group keys of the event being pushed, shared by the rules that group by the same fields: most
 * rules group by the same few field lists, and building a key string (and hashing it in each
 * rule's Map) is the largest per-event cost. Rules get a slot per distinct field list.
 */
export class GroupKeyCache {
  private readonly slots = new Map<string, number>();
  private readonly getters: FieldGetter[][] = [];
  private readonly keys: string[] = [];
  private readonly stamps: number[] = [];
  private current = 0;

  /** The slot for a rule's group_by fields. */
  slotFor(fields: CompiledRule['groupBy']): number {
    const signature = fields.join(',');
    let slot = this.slots.get(signature);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(signature, slot);
      this.getters.push(fields.map((f) => FIELD_GETTERS[f]));
      this.keys.push('');
      this.stamps.push(-1);
    }
    return slot;
  }

  /** Marks the start of a new event: keys computed for the previous one no longer apply. */
  next(): void {
    this.current++;
  }

  key(slot: number, event: TcpEvent): string {
    if (this.stamps[slot] === this.current) return this.keys[slot];
    const key = groupKey(this.getters[slot], event);
    this.keys[slot] = key;
    this.stamps[slot] = this.current;
    return key;
  }
}
