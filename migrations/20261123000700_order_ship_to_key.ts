import type { Knex } from 'knex';

/**
 * The new-ship-to check asks "has this partner used this ship-to before?" on every order. It used
 * to test the partner's orders' canonical JSON one by one (a bitmap scan over all of the partner's
 * orders, so intake slowed down as history grew); now each order carries a key of its ship-to,
 * computed by Postgres from the canonical order, with an index by partner.
 *
 * The key is the md5 of the ship-to's address as jsonb text (jsonb prints objects in one order,
 * so equal addresses give equal keys), else of its addressId; NULL without either.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function order_ship_to_key(ship_to jsonb) returns text
    language sql immutable parallel safe
    as $$
      select case
        when ship_to->'address' is not null and ship_to->'address' <> 'null'::jsonb
          then md5('address:' || (ship_to->'address')::text)
        when ship_to->>'addressId' is not null
          then md5('addressId:' || (ship_to->>'addressId'))
      end
    $$`);
  await knex.raw(
    `alter table orders add column ship_to_key text generated always as (order_ship_to_key(canonical->'shipTo')) stored`,
  );
  await knex.raw('create index orders_partner_ship_to on orders (partner_id, ship_to_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index orders_partner_ship_to');
  await knex.raw('alter table orders drop column ship_to_key');
  await knex.raw('drop function order_ship_to_key(jsonb)');
}
