import { serviceMain } from '@postline/common';
import { loadQueryConfig } from './config';
import { installFrontDoor } from './entry-points/http/front-door';
import { queryService } from './service';

// The front door answers cached reads on the HTTP server before Express (see front-door.ts).
void serviceMain(queryService, loadQueryConfig, (service, definition, config) =>
  installFrontDoor(service.server, {
    readSide: definition.parts().readSide,
    jwtKey: config.JWT_KEY,
    logger: service.context.logger,
    prefix: definition.prefix,
    metrics: service.metrics,
  }),
);
