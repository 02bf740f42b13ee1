import { serviceMain } from '@postline/common';
import { loadQueryConfig } from './config';
import { queryService } from './service';

void serviceMain(queryService(loadQueryConfig()), () => loadQueryConfig());
