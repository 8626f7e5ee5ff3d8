package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.StagingPipelineContract;
import io.hive.preloader.core.testing.SequentialStagingPipeline;

/** The reference pipeline meets the contract that the real ones are held to. */
class SequentialStagingPipelineTest extends StagingPipelineContract {
    @Override
    protected StagingPipeline newPipeline(long chunkSize, int readers) {
        return new SequentialStagingPipeline(chunkSize, 4);
    }

    @Override
    protected int liveSlots(StagingPipeline pipeline) {
        return ((SequentialStagingPipeline) pipeline).liveSlots();
    }
}
