import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ApiKeyService } from '../auth/api-key.service';
import { Public } from '../auth/auth.decorators';

/** The built app keeps the assets in dist/console/assets; tests run from the sources. */
function assetsDir(): string {
  const candidates = [join(__dirname, 'console', 'assets'), join(__dirname, 'assets')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/**
 * The task console: a static page (plain HTML and JavaScript) to submit a task, watch its events
 * live and read the result. The key is typed into the page and sent by the browser, so the page
 * itself needs none; it only says whether the API wants one (`<meta name="ao-auth">`), so the
 * script asks for nothing it would be refused before a key is entered.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  private readonly files = new Map<string, string>();

  constructor(private readonly keys: ApiKeyService) {}

  private read(name: string): string {
    let content = this.files.get(name);
    if (content === undefined) {
      content = readFileSync(join(assetsDir(), name), 'utf8');
      this.files.set(name, content);
    }
    return content;
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    const auth = this.keys.enabled ? 'required' : 'off';
    return this.read('index.html').replace(
      '<meta name="ao-auth" content="" />',
      `<meta name="ao-auth" content="${auth}" />`,
    );
  }

  @Get('console.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return this.read('console.js');
  }

  @Get('console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  styles(): string {
    return this.read('console.css');
  }
}
