package app.garagesync.sync;

import java.util.Map;

/** One off-site target as the shared sync contract tests drive it: configure, observe, break, repair. */
interface TargetUnderTest extends AutoCloseable {

    /** The daemon properties that configure this target under the given name. */
    String[] properties(String name);

    /** Every key the target holds now, with a fingerprint that changes when the key is written again. */
    Map<String, String> snapshot() throws Exception;

    /** The bytes under a key, or null. */
    byte[] read(String key) throws Exception;

    /** Makes the target refuse every operation, as an outage does. */
    void breakIt() throws Exception;

    /** Ends the outage, keeping what the target held. */
    void repair() throws Exception;

    @Override
    void close() throws Exception;
}
