import { Global, Module } from '@nestjs/common';
import { ErrorPresenters } from './error-presenters.js';

@Global()
@Module({ providers: [ErrorPresenters], exports: [ErrorPresenters] })
export class ErrorsModule {}
