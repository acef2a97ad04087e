package app.garagesync.testing;

import app.garagesync.store.delta.Layout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A layout as text, for comparing one a writer hands over with the one a scan finds. */
public final class LayoutText {

    private LayoutText() {
    }

    /** Its skeleton, and its collections' names, places and item spans; ids left out (writers keep none). */
    public static String describe(Layout layout) {
        StringBuilder b = new StringBuilder(new String(layout.skeleton(), StandardCharsets.UTF_8));
        for (Layout.Items items : layout.items()) {
            b.append('|').append(items.name()).append('@').append(items.skeletonOffset())
                    .append(Arrays.toString(items.start())).append(Arrays.toString(items.end()));
        }
        return b.toString();
    }
}
