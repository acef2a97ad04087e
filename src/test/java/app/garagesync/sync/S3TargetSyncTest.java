package app.garagesync.sync;

import java.nio.file.Path;

class S3TargetSyncTest extends SyncContract {

    @Override
    TargetUnderTest target(Path base) throws Exception {
        return new S3Target(base);
    }
}
