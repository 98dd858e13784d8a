import { Module } from '@nestjs/common';
import { WsTicketsRepository } from './ws-tickets.repository.js';
import { WsTicketsService } from './ws-tickets.service.js';

@Module({
  providers: [WsTicketsRepository, WsTicketsService],
  exports: [WsTicketsService],
})
export class WsTicketsModule {}
