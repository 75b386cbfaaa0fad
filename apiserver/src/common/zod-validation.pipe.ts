import { PipeTransform } from '@nestjs/common';
import { describeIssues } from '@cronfleet/shared';
import type { z } from 'zod';
import { DomainError } from './errors';

/** Validates a body or query with a zod schema; a failure names each field and its problem (400). */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** Name of the validated value as a whole, used when an issue concerns all of it. */
    private readonly root: string = 'body',
    /**
     * What the OpenAPI document shows instead of `schema`, for a body whose parts are checked
     * later one by one (the items of a batch, each answered on its own).
     */
    readonly documented?: z.ZodType,
  ) {}

  transform(value: unknown): z.output<S> {
    const r = this.schema.safeParse(value ?? {});
    if (!r.success) throw new DomainError('ValidationFailed', describeIssues(r.error, this.root));
    return r.data;
  }
}
