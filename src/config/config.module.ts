import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { parseEnv } from './load-env';
import { CONFIG_NAMESPACES } from './namespaces';
import { UnusedVariablesWarning } from './unused-variables';

/** Global typed configuration; validation failures stop the boot (main.ts validates first). */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: CONFIG_NAMESPACES,
      validate: (raw) => {
        parseEnv(raw as Record<string, string | undefined>);
        return raw;
      },
    }),
  ],
  providers: [UnusedVariablesWarning],
})
export class AppConfigModule {}
