import { Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '@shop/http';
import { Reconciler, type ReconcileReport } from '@shop/sync';

/** On-demand reconciliation (the same run `npm run reconcile` does) and the last report. */
@ApiTags('reconcile')
@Controller('reconcile')
export class ReconcileController {
  constructor(private readonly reconciler: Reconciler) {}

  @Post()
  @HttpCode(200)
  @AdminOnly()
  @ApiOkResponse({ description: 'The report: found and fixed per kind, errors' })
  run(): Promise<ReconcileReport> {
    return this.reconciler.run();
  }

  @Get()
  @ApiOkResponse({ description: "This process's last report" })
  last(): ReconcileReport {
    const report = this.reconciler.lastReport();
    if (!report) throw new NotFoundException('no reconciliation has run in this process yet');
    return report;
  }
}
