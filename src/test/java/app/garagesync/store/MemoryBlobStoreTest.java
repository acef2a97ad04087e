package app.garagesync.store;

class MemoryBlobStoreTest extends BlobStoreContract {

    @Override
    BlobStore store() {
        return new MemoryBlobStore();
    }
}
