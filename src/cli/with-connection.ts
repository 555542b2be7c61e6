/**
 * Run a command's work with a connected client: errors people hit first get their "what to do next"
 * (`explain`), and the client is closed whatever happens.
 */
import type { Command } from 'commander';
import { connect, explain, type Connection } from './connect.js';
import type { CommandContext } from './context.js';

export async function withConnection<T>(
  ctx: CommandContext,
  command: Command,
  work: (connection: Connection) => Promise<T>,
  extra: Parameters<typeof connect>[2] = {},
): Promise<T> {
  let connection: Connection | undefined;
  try {
    connection = await connect(ctx, command, extra);
    return await work(connection);
  } catch (error) {
    throw explain(error, connection);
  } finally {
    await connection?.client.close();
  }
}
