import { serviceMain } from '@postline/common';
import { moderationConfigSchema } from './config';
import { moderationService } from './service';

void serviceMain(moderationService, moderationConfigSchema);
