package app.garagesync.testing;

/** Backup documents for tests, shaped like the seed's CloudBackupData. */
public final class Backups {

    private Backups() {
    }

    /** A small valid backup whose content depends on {@code n}. */
    public static String small(int n) {
        return "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
                + "\"data\":{\"customers\":[{\"id\":\"c" + n + "\",\"name\":\"Élodie Müller 🚗\",\"note\":\"ligne 1\\nligne 2\"}],"
                + "\"vehicles\":[],\"repairs\":[{\"id\":" + n + ",\"amount\":19.90,\"counter\":12345678901234567890123}],"
                + "\"invoices\":[],\"users\":[],\"mechanics\":[],\"appointments\":[],\"stock\":[],"
                + "\"settings\":{\"currency\":\"EUR\"}}}";
    }
}
