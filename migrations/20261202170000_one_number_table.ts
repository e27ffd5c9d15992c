import type { Knex } from 'knex';

/**
 * X12 control numbers move into number_sequences, the one table of gapless series
 * (src/platform/sequences.ts), as series named "x12:<partner>:out:<isa|gs|st>".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    insert into number_sequences (name, prefix, next_value, pad)
    select 'x12:' || partner_id || ':' || kind, '', next_value, 0 from x12_control_numbers`);
  await knex.schema.dropTable('x12_control_numbers');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.createTable('x12_control_numbers', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('kind').notNullable();
    t.bigInteger('next_value').notNullable().defaultTo(1);
    t.primary(['partner_id', 'kind']);
  });
  await knex.raw(`
    insert into x12_control_numbers (partner_id, kind, next_value)
    select split_part(name, ':', 2), split_part(name, ':', 3) || ':' || split_part(name, ':', 4), next_value
      from number_sequences where name like 'x12:%:out:%'
       and split_part(name, ':', 2) in (select id from partners)`);
  await knex.raw(`delete from number_sequences where name like 'x12:%:out:%'`);
}
