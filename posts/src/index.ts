import { serviceMain } from '@postline/common';
import { loadPostsConfig } from './config';
import { postsService } from './service';

void serviceMain(postsService, () => loadPostsConfig());
