import { serviceMain } from '@postline/common';
import { postsConfigSchema } from './config';
import { postsService } from './service';

void serviceMain(postsService, postsConfigSchema);
