import { waitForHealthyStack } from './healthy-stack';

beforeAll(() => waitForHealthyStack(), 120_000);
