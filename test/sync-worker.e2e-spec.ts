import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { STOCK_EXCHANGE, StockRoutingKey, SyncQueue, type StockChangedEvent } from '@shop/contracts';
import { AmqpConnection, DEAD_LETTER_EXCHANGE_FOR_TESTS, DeadLetters } from './support/sync-dead-letters';
import { createDatabase, StockRepository, type Database } from '@shop/persistence';
import { StockKeys } from '@shop/stock';
import type { ReconcileKind, ReconcileReport } from '@shop/sync';
import { connect, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { appPid, killApp, startApp } from './support/apps';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';

const run = promisify(execFile);
const root = join(__dirname, '..');
