import { serviceMain } from '@postline/common';
import { loadAuthConfig } from './config';
import { authService } from './service';

void serviceMain(authService, () => loadAuthConfig());
