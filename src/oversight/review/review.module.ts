import { Module } from '@nestjs/common';
import { ReviewController } from './review.controller.js';
import { ReviewRepository } from './review.repository.js';
import { ReviewService } from './review.service.js';
import { ViewerController } from './viewer.controller.js';

@Module({
  controllers: [ReviewController, ViewerController],
  providers: [ReviewService, ReviewRepository],
})
export class ReviewModule {}
