import { Client } from '@elastic/elasticsearch';
import { Inject, Injectable } from '@nestjs/common';
import { errorMessage } from '@shop/common';
import { ELASTICSEARCH_CLIENT } from './search.tokens';

export type ElasticsearchClusterStatus = 'green' | 'yellow' | 'red' | 'unreachable';

export interface ElasticsearchHealth {
  /** Green or yellow: the node answers searches. */
  up: boolean;
  status: ElasticsearchClusterStatus;
  /** Why it is down (safe to log; do not send to clients). */
  error?: string;
}

/**
 * Health of the node through `_cluster/health`: the stripped server answers `GET /` with 405, so
 * the client's `ping()` and `info()` fail even when it is fine. Short timeout, no retries: a
 * health probe must answer fast, and a failed probe is the answer.
 */
export async function checkElasticsearchHealth(
  client: Client,
  timeoutMs = 1000,
): Promise<ElasticsearchHealth> {
  try {
    const health = await client.cluster.health({}, { requestTimeout: timeoutMs, maxRetries: 0 });
    const status = health.status.toLowerCase() as 'green' | 'yellow' | 'red';
    return { up: status !== 'red', status };
  } catch (error) {
    return {
      up: false,
      status: 'unreachable',
      error: errorMessage(error),
    };
  }
}

/** Injectable form of checkElasticsearchHealth for health endpoints. */
@Injectable()
export class SearchHealth {
  constructor(@Inject(ELASTICSEARCH_CLIENT) private readonly client: Client) {}

  check(timeoutMs = 1000): Promise<ElasticsearchHealth> {
    return checkElasticsearchHealth(this.client, timeoutMs);
  }

  /** Resolves while the node answers searches; rejects with why not (for health probes). */
  async assertUp(timeoutMs = 1000): Promise<void> {
    const status = await this.check(timeoutMs);
    if (!status.up) throw new Error(status.error ?? `cluster ${status.status}`);
  }
}
