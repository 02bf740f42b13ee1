import { serviceMain } from '@postline/common';
import { authConfigSchema } from './config';
import { authService } from './service';

void serviceMain(authService, authConfigSchema);
