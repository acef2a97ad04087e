package app.garagesync.sync;

import java.nio.file.Path;

class DirTargetSyncTest extends SyncContract {

    @Override
    TargetUnderTest target(Path base) {
        return new DirTarget(base);
    }
}
