import type { z } from 'zod';
import { ParadumpError } from './errors.ts';

/**
 * Parses options with their schema; zod's first complaint becomes a BAD_OPTION naming the option
 * (`details.path`) and the problem (`details.problem`), as `badOption` does.
 */
export function parseOptions<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join('.');
  // Messages that already start with the option's name ("threads must be …") keep their words.
  const message = !path || issue.message.startsWith(path.split('.')[0]!) ? issue.message : `${path}: ${issue.message}`;
  throw new ParadumpError('BAD_OPTION', message, { details: { path, problem: issue.message } });
}
