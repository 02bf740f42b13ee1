import { startTestInfrastructure } from './test-infrastructure';

export default async function globalSetup(): Promise<void> {
  await startTestInfrastructure();
}
