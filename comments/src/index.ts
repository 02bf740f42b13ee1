import { serviceMain } from '@postline/common';
import { commentsConfigSchema } from './config';
import { commentsService } from './service';

void serviceMain(commentsService, commentsConfigSchema);
