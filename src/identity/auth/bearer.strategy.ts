import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { TokensService } from '../tokens/tokens.service.js';
import type { AuthContext } from './auth-context.js';

@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  /** Passport treats `false` as "invalid token"; the guard turns that into a 401. */
  async validate(token: string): Promise<AuthContext | false> {
    return (await this.tokens.authenticate(token)) ?? false;
  }
}
