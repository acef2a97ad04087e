package app.garagesync.store;

import app.garagesync.testing.S3Server;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class S3BlobStoreTest extends BlobStoreContract {

    @TempDir
    Path dir;
    S3Server server;

    @Override
    BlobStore store() throws Exception {
        server = new S3Server(dir);
        return new S3BlobStore(S3BlobStore.client("us-east-1", server.endpoint(), S3Server.ACCESS, S3Server.SECRET, true),
                S3Server.BUCKET, "shop/");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }
}
