import { Global, Module } from '@nestjs/common';
import { EmbeddedServices } from './embedded-services';

@Global()
@Module({ providers: [EmbeddedServices], exports: [EmbeddedServices] })
export class BackingServicesModule {}
