import { serviceMain } from '@postline/common';
import { loadModerationConfig } from './config';
import { moderationService } from './service';

// The rules are loaded with the rest of the configuration, so a bad rules file
// is reported like any configuration problem (plainly, exit 1).
void serviceMain(moderationService, () => loadModerationConfig());
