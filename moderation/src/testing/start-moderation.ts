import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import supertest from 'supertest';
import { moderationConfigSchema } from '../config';
import { moderationRecordModel } from '../data-access/moderation-record-model';
import { moderationService } from '../service';

export interface ModerationUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  records: ReturnType<typeof moderationRecordModel>;
}

/**
 * The moderation service in-process against the test servers, in a namespace of its
 * own (or a given one, to run beside other services).
 */
export async function startModeration(
  namespace?: string,
  overrides: Record<string, string> = {},
): Promise<ModerationUnderTest> {
  const started = await startServiceUnderTest({
    name: 'moderation',
    loadConfig: moderationConfigSchema.load,
    define: moderationService,
    record: ['comment'],
    namespace,
    env: overrides,
  });
  const { db } = started.service.context;
  return { ...started, http: supertest(started.baseUrl), records: moderationRecordModel(db) };
}
