import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ValidationError } from '../errors';
import { inputProblems } from './input-checks';

/**
 * Holds every query string to the rules bodies follow (inputProblems): a `__proto__` or
 * `constructor` parameter is refused with 422 like any unknown field, on every route, instead of
 * vanishing on its way into a query DTO.
 */
@Injectable()
export class StrictQueryMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const problems = inputProblems(req.query, 'query');
    if (problems.length > 0) throw new ValidationError(problems);
    next();
  }
}
