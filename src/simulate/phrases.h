/* The simulator's data: support topics with visitor questions and team replies
 * in English and Norwegian (bokmål), the team, the channels and the small
 * talk around questions. Only simulate.c reads these tables. */
#ifndef AP_SIM_PHRASES_H
#define AP_SIM_PHRASES_H

#include <stddef.h>

enum ap_sim_lang { AP_SIM_EN, AP_SIM_NB, AP_SIM_LANG__COUNT };

/* The BCP 47 tag sent in question.asked `language`, by ap_sim_lang. */
extern const char *const ap_sim_lang_tags[AP_SIM_LANG__COUNT];

/* One support need. `weight` is its relative share of conversations;
 * `answered_pct` the percentage of its questions the customer agent can answer
 * (low ones are the knowledge gaps); `handoff_pct` the percentage of its
 * conversations handed to a person even when the agent did answer (a damaged
 * parcel, a visitor who asks for a human); `reason` the handoff reason that
 * typically goes with that (a refund needs a person by policy, a broken login
 * needs someone to look at the configuration).
 * The string lists end with NULL. Questions and replies may contain "{order}",
 * which the generator replaces with the conversation's order number. */
struct ap_sim_topic {
    const char *name;
    unsigned weight;
    unsigned answered_pct;
    unsigned handoff_pct;
    const char *reason;
    const char *const *questions[AP_SIM_LANG__COUNT];
    const char *const *replies[AP_SIM_LANG__COUNT];
};

extern const struct ap_sim_topic ap_sim_topics[];
extern const size_t ap_sim_topic_count;

/* A human team member; `weight` is their share of handoffs. */
struct ap_sim_member {
    const char *id;
    const char *name;
    unsigned weight;
};

extern const struct ap_sim_member ap_sim_members[];
extern const size_t ap_sim_member_count;

/* A channel: its share of conversations, the percentage the human team takes
 * on directly (the agent never sees them), and its pace: how many times slower
 * than live chat a visitor writes back (email and forms take hours). */
struct ap_sim_channel {
    const char *name;
    unsigned weight;
    unsigned human_pct;
    double pace;
};

extern const struct ap_sim_channel ap_sim_channels[];
extern const size_t ap_sim_channel_count;

/* Small talk, NULL-terminated per language: openers put before a question
 * (those ending in ", " lower-case the question's first letter), closers put
 * after it, and feedback comments by rating. */
extern const char *const *const ap_sim_openers[AP_SIM_LANG__COUNT];
extern const char *const *const ap_sim_closers[AP_SIM_LANG__COUNT];
extern const char *const *const ap_sim_comments_helpful[AP_SIM_LANG__COUNT];
extern const char *const *const ap_sim_comments_not_helpful[AP_SIM_LANG__COUNT];

#endif
