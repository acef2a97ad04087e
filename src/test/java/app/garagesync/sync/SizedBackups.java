package app.garagesync.sync;

/** Backups of a chosen size, shaped like the seed's CloudBackupData, for sync tests and measurements. */
final class SizedBackups {

    private SizedBackups() {
    }

    /** A valid backup of about {@code bytes} bytes whose content depends on {@code n}. */
    static String of(int n, int bytes) {
        StringBuilder customers = new StringBuilder();
        int i = 0;
        while (customers.length() < bytes) {
            if (i > 0) {
                customers.append(',');
            }
            customers.append("{\"id\":\"c").append(i).append("\",\"name\":\"Client ").append(i)
                    .append(" Müller\",\"phone\":\"+33 6 ").append(10_000_000 + (i * 7919L + n) % 89_999_999)
                    .append("\",\"note\":\"révision ").append(n).append(" / véhicule ").append(i % 97).append("\"}");
            i++;
        }
        return "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
                + "\"data\":{\"customers\":[" + customers + "],\"vehicles\":[],\"repairs\":[{\"id\":" + n
                + "}],\"invoices\":[],\"users\":[],\"mechanics\":[],\"appointments\":[],\"stock\":[],\"settings\":{}}}";
    }
}
