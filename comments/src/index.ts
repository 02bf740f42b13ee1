import { serviceMain } from '@postline/common';
import { loadCommentsConfig } from './config';
import { commentsService } from './service';

void serviceMain(commentsService, () => loadCommentsConfig());
