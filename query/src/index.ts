import { serviceMain } from '@postline/common';
import { queryConfigSchema } from './config';
import { queryService } from './service';

void serviceMain(queryService, queryConfigSchema);
