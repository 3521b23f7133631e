import { Inject } from '@nestjs/common';

/** Injection token of the shared `Kysely<Database>` instance. */
export const DATABASE = Symbol('DATABASE');

/** `constructor(@InjectDatabase() db: Kysely<Database>)` */
export const InjectDatabase = (): ParameterDecorator => Inject(DATABASE);
