package app.garagesync;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Loads, on a second thread, the classes a start-up is known to need, in the order it needs them, while
 * the main thread starts Camel. A start is mostly class loading on one thread (about 4,000 classes
 * outside the JDK's own archive) and leaves the second core half idle; loading ahead there lets the main
 * thread find most classes ready. Classes are loaded, not initialised: no static initialiser runs early,
 * so this changes when work happens, never what happens. A name that no longer exists is skipped.
 */
final class ClassPreloader {

    static final String LIST = "/META-INF/garage-sync/preload-classes.txt";

    private ClassPreloader() {
    }

    static void startInBackground() {
        Thread t = new Thread(ClassPreloader::run, "garage-sync-preload");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        ClassLoader loader = ClassPreloader.class.getClassLoader();
        try (InputStream in = ClassPreloader.class.getResourceAsStream(LIST)) {
            if (in == null) {
                return;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String name; (name = lines.readLine()) != null; ) {
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError gone) {
                    // a class the list names but this build no longer has: the start just loads it later, or never
                }
            }
        } catch (IOException e) {
            // the list is an optimisation only
        }
    }
}
