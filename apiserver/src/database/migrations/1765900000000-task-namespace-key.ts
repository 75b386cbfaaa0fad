import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task can no longer be written into a namespace that does not exist (issue 18), on MySQL, by a
 * foreign key from `tasks.namespace` to `namespaces.name`, as cron jobs and workflows have had since
 * the columns-fit-limits migration. InnoDB checks it with a locking read of the namespace row, so a
 * one-shot task racing `DELETE /namespaces/X` either waits and makes the delete answer 409 or fails
 * itself; the API's one-shot tasks can then be written with one INSERT and no transaction around it
 * (TasksRepository.createMany), where they took four statements (a transaction that locked the
 * namespaces with a SELECT first).
 *
 * Tasks left in a namespace that is gone get their namespace back first, as in that migration, so
 * nothing stored is lost. The key is then added with `foreign_key_checks` off: InnoDB adds it in
 * place, without copying `tasks` (which may hold millions of rows), and every row has its namespace.
 * SQLite writes one-shot tasks in a transaction that reads the namespaces first, as before.
 */
export class TaskNamespaceKey1765900000000 implements MigrationInterface {
  name = 'TaskNamespaceKey1765900000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') return;
    await q.query(
      "INSERT INTO namespaces (name, description) SELECT DISTINCT t.namespace, 'recreated: it still held tasks' FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM namespaces n WHERE n.name = t.namespace)",
    );
    await q.query('SET foreign_key_checks = 0');
    try {
      await q.query('ALTER TABLE tasks ADD CONSTRAINT fk_tasks_namespace FOREIGN KEY (namespace) REFERENCES namespaces (name)');
    } finally {
      await q.query('SET foreign_key_checks = 1');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'mysql') return;
    await q.query('ALTER TABLE tasks DROP FOREIGN KEY fk_tasks_namespace');
  }
}
