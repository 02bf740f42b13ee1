import { stopTestInfrastructure } from './test-infrastructure';

export default async function globalTeardown(): Promise<void> {
  await stopTestInfrastructure();
}
