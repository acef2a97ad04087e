package app.garagesync;

import com.github.luben.zstd.util.Native;

/**
 * Native code the daemon cannot run without, loaded at start. zstd-jni used to load on the first
 * compression: when the file-handle table was full at that moment the load failed for good, every POST
 * answered 500 until a restart, and health said UP. Now such a start fails with the reason instead.
 */
final class NativeLibraries {

    private NativeLibraries() {
    }

    static void loadOrFail() {
        try {
            Native.load();
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException("the zstd compression library could not be loaded (" + e.getMessage()
                    + "); check the file-handle limit (ulimit -n) and that java.io.tmpdir is writable", e);
        }
        if (!Native.isLoaded()) {
            throw new IllegalStateException("the zstd compression library could not be loaded");
        }
    }
}
