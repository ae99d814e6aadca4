/**
 * The user's story: a run loads parents before children, whatever shape the foreign keys
 * take. Chains and diamonds load in dependency order, a self-referencing table is not a
 * cycle, a cycle across tables is broken at a nullable FK that is written in a second
 * pass (and the plan says which), a cycle nothing can break is refused with the tables
 * named, and the mapping's priority decides among tables that do not depend on each other.
 */
import { describe, expect, it } from 'vitest';
import { PlanError } from '../src/errors.js';
import { exitCodeFor } from '../src/cli/exit-codes.js';
import { planTableOrder } from '../src/replicator/plan/plan-table-order.js';
import { compareTableNames } from '../src/mapping/resolve-mappings.js';

interface Fk {
  columns: string[];
  refTable: string;
  nullable: boolean;
}
const fk = (column: string, refTable: string, nullable = false): Fk => ({ columns: [column], refTable, nullable });
const table = (name: string, foreignKeys: Fk[] = [], priority = 100) => ({ name, priority, foreignKeys });

/** every FK whose parent is another table of the run points backwards in the order */
function parentsFirst(order: string[], tables: ReturnType<typeof table>[], deferred: { table: string; refTable: string }[] = []): void {
  for (const t of tables) {
    for (const f of t.foreignKeys) {
      if (f.refTable === t.name || deferred.some((d) => d.table === t.name && d.refTable === f.refTable)) continue;
      expect(order.indexOf(f.refTable), `${t.name} -> ${f.refTable}`).toBeLessThan(order.indexOf(t.name));
    }
  }
}

describe('tables load parents first', () => {
  it('a chain loads from the root down, whatever order the tables are listed in', () => {
    const tables = [table('order_items', [fk('order_id', 'orders')]), table('orders', [fk('store_id', 'stores')]), table('stores')];
    const plan = planTableOrder(tables);
    expect(plan.order).toEqual(['stores', 'orders', 'order_items']);
    expect(plan.cycles).toEqual([]);
    expect(plan.deferred).toEqual([]);
  });

  it('a diamond loads the shared parent once, before both branches, and the child last', () => {
    const tables = [
      table('order_items', [fk('order_id', 'orders'), fk('product_id', 'products')]),
      table('products', [fk('store_id', 'stores')]),
      table('orders', [fk('store_id', 'stores')]),
      table('stores'),
    ];
    const plan = planTableOrder(tables);
    expect(plan.order).toEqual(['stores', 'orders', 'products', 'order_items']);
    parentsFirst(plan.order, tables);
  });

  it('a parent outside the run imposes no order and is not an error', () => {
    const plan = planTableOrder([table('orders', [fk('store_id', 'stores')]), table('customers')]);
    expect(plan.order).toEqual(['customers', 'orders']);
  });

  it('a self-reference (categories.parent_id) is not a cycle: nothing is deferred', () => {
    const tables = [table('products', [fk('category_id', 'categories', true)]), table('categories', [fk('parent_id', 'categories', true)])];
    const plan = planTableOrder(tables);
    expect(plan.order).toEqual(['categories', 'products']);
    expect(plan.cycles).toEqual([]);
    expect(plan.deferred).toEqual([]);
  });
});

describe('cycles across tables', () => {
  it('a two-table cycle is broken at its nullable FK: stores.manager_id is written in a second pass', () => {
    // every user belongs to a store (NOT NULL); a store's manager is optional
    const tables = [table('users', [fk('store_id', 'stores')]), table('stores', [fk('manager_id', 'users', true)])];
    const plan = planTableOrder(tables);
    expect(plan.cycles).toEqual([['stores', 'users']]);
    expect(plan.deferred).toEqual([{ table: 'stores', columns: ['manager_id'], refTable: 'users' }]);
    expect(plan.order).toEqual(['stores', 'users']);
    parentsFirst(plan.order, tables, plan.deferred);
  });

  it('the choice does not depend on which table is listed first', () => {
    const a = planTableOrder([table('stores', [fk('manager_id', 'users', true)]), table('users', [fk('store_id', 'stores')])]);
    const b = planTableOrder([table('users', [fk('store_id', 'stores')]), table('stores', [fk('manager_id', 'users', true)])]);
    expect(a).toEqual(b);
  });

  it('with two nullable FKs, the one whose table has fewer foreign keys is deferred', () => {
    const tables = [
      table('employees', [fk('department_id', 'departments', true), fk('store_id', 'stores')]),
      table('departments', [fk('head_id', 'employees', true)]),
      table('stores'),
    ];
    const plan = planTableOrder(tables);
    expect(plan.deferred).toEqual([{ table: 'departments', columns: ['head_id'], refTable: 'employees' }]);
    expect(plan.order).toEqual(['stores', 'departments', 'employees']);
    parentsFirst(plan.order, tables, plan.deferred);
  });

  it('a three-table cycle is broken once, its tables load together, and the rest still follow FK order', () => {
    // shifts -> terminals -> devices -> shifts (a device remembers its current shift, optionally)
    const tables = [
      table('shifts', [fk('terminal_id', 'terminals')]),
      table('terminals', [fk('device_id', 'devices')]),
      table('devices', [fk('current_shift_id', 'shifts', true)]),
      table('orders', [fk('shift_id', 'shifts')]),
      table('stores'),
    ];
    const plan = planTableOrder(tables);
    expect(plan.cycles).toEqual([['devices', 'terminals', 'shifts']]);
    expect(plan.deferred).toEqual([{ table: 'devices', columns: ['current_shift_id'], refTable: 'shifts' }]);
    expect(plan.order).toEqual(['devices', 'terminals', 'shifts', 'orders', 'stores']);
    parentsFirst(plan.order, tables, plan.deferred);
  });

  it('two FKs between the same pair of tables: only as many are deferred as the cycle needs', () => {
    const tables = [
      table('a', [fk('b_id', 'b', true), fk('other_b_id', 'b', true)]),
      table('b', [fk('a_id', 'a', true)]),
    ];
    const plan = planTableOrder(tables);
    // deferring b.a_id breaks both cycles at once (b has the fewest FKs)
    expect(plan.deferred).toEqual([{ table: 'b', columns: ['a_id'], refTable: 'a' }]);
    expect(plan.order).toEqual(['b', 'a']);
  });

  it('a cycle with no nullable FK is refused, naming its tables and FKs; it is bad input (exit 2)', () => {
    const tables = [
      table('stores'),
      table('x', [fk('y_id', 'y')]),
      table('y', [fk('z_id', 'z')]),
      table('z', [fk('x_id', 'x'), fk('store_id', 'stores')]),
    ];
    let error: unknown;
    try {
      planTableOrder(tables);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    const e = error as PlanError;
    expect(e.code).toBe('plan');
    expect(e.tables).toEqual(['x', 'y', 'z']);
    expect(e.detail).toContain('x.y_id -> y');
    expect(e.detail).toContain('z.x_id -> x');
    expect(e.detail).toContain('NOT NULL');
    expect(e.message).toMatch(/^x, y, z: /);
    expect(exitCodeFor(e)).toBe(2);
  });
});

describe('priority breaks ties', () => {
  it('among independent tables, lower priority loads first, then by name', () => {
    const plan = planTableOrder([table('zebra', [], 10), table('apple'), table('mango'), table('kiwi', [], 100), table('banana', [], 200)]);
    expect(plan.order).toEqual(['zebra', 'apple', 'kiwi', 'mango', 'banana']);
  });

  it('priority never puts a child before its parent', () => {
    const plan = planTableOrder([table('settings', [fk('store_id', 'stores')], 1), table('stores', [], 500), table('audit', [], 50)]);
    // settings wants to go first but must wait for stores; audit (50) is ready before stores (500)
    expect(plan.order).toEqual(['audit', 'stores', 'settings']);
  });
});

describe('mappings, and so independent tables, come in name order', () => {
  it('plain names sort exactly as localeCompare sorts them, and any other name falls back to it', () => {
    const names = ['orders', 'order_items', 'order2', 'o', 'order', 'a_b', 'a1', 'ab', '_x', '9', 'Orders', 'Zeta', 'älg', 'Straße', 'straße', 'x y'];
    const pairs = names.flatMap((a) => names.map((b) => [a, b] as const));
    for (const [a, b] of pairs) expect(Math.sign(compareTableNames(a, b)), `${a} vs ${b}`).toBe(Math.sign(a.localeCompare(b)));
    expect([...names].sort(compareTableNames)).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});
